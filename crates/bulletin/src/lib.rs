//! docket-bulletin: the monthly bulletin (月通报). Will own the figures against the
//! time-schedule target, warning lights, the lagging list, issue statistics and the JSON,
//! HTML, text and XLSX outputs.
