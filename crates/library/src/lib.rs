//! The project library's files, and the weekly-report batch files ([`reports`]): reading the contract's CSV (UTF-8 with or without BOM, or
//! GB18030) and XLSX (first sheet) files with English or Chinese headers, validating every
//! row into domain records, and loading them all-or-nothing.
//!
//! A file with any bad row writes nothing and reports every bad row at once, each as
//! `FILE:ROW: COLUMN: VALUE: reason` with rows numbered as a spreadsheet shows them.

pub mod applications;
pub mod columns;
pub mod error;
pub mod files;
pub mod load;
pub mod reports;
pub mod rows;

pub use error::{ImportError, RowError};
pub use files::{Table, read_table};
pub use load::{
    ImportOptions, ImportReport, import_applications, import_indicators, import_milestones,
    import_progress, import_projects,
};
