//! docket-scheduler: the weekly rhythm. Will own schedules in the office time zone over the
//! working-day calendar, dispatch cycles and report slots, the reminder ladder, the ledger
//! that makes each firing happen once, and leases between replicas.
