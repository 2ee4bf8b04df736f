//! Paused schedules as the scheduler names them: which names can be paused, and the words
//! a skipped period, `schedule preview` and `schedule history` show for a pause.

use std::collections::HashSet;

use docket_store::schedule_pauses::Pause;
use docket_store::time::{from_ms, to_ms};

use crate::engine::{Occurrence, Scheduler};
use crate::error::SchedulerError;

/// The built-in schedules' ledger names.
pub const BUILT_IN: &[&str] = &["open", "remind", "close", "bulletin", "calendar_alarm"];

/// A schedule's name as the office says it: 开启调度, 催报 (the reminder rounds too), 结束调度,
/// 月通报, 日历提醒; a custom job by its own name (without `job:`).
pub fn schedule_label_zh(name: &str) -> String {
    match name {
        "open" => "开启调度".into(),
        "close" => "结束调度".into(),
        "bulletin" => "月通报".into(),
        "calendar_alarm" => "日历提醒".into(),
        n if n.starts_with("remind") => "催报".into(),
        n => n.strip_prefix("job:").unwrap_or(n).to_string(),
    }
}

impl Scheduler {
    /// Splits the occurrences the ledger does not hold yet (`done` are the recorded
    /// (schedule, period) pairs) into those to decide on and those to skip because their
    /// schedule was paused when they fell due (or is paused now), each with its reason.
    ///
    /// # Errors
    /// [`SchedulerError::Store`] if the database fails.
    pub(crate) async fn split_paused(
        &self,
        occ: Vec<Occurrence>,
        done: &HashSet<(String, String)>,
    ) -> Result<(Vec<Occurrence>, Vec<(Occurrence, String)>), SchedulerError> {
        let pauses = docket_store::schedule_pauses::pauses(&self.db().conn).await?;
        let mut pending = Vec::new();
        let mut paused = Vec::new();
        for o in occ {
            if done.contains(&(o.schedule.clone(), o.period.clone())) {
                continue;
            }
            match pauses
                .iter()
                .find(|p| p.covers(&o.schedule, to_ms(o.due_at)))
            {
                Some(p) => {
                    let reason = format!("skipped: {}", self.pause_text(p));
                    paused.push((o, reason));
                }
                None => pending.push(o),
            }
        }
        Ok((pending, paused))
    }

    /// The ledger name of the schedule `text` names: a built-in schedule (`open`, `remind`,
    /// `close`, `bulletin`, `calendar_alarm`) or a custom job by its name (`NAME` or
    /// `job:NAME`); `None` for anything else.
    pub fn schedule_name(&self, text: &str) -> Option<String> {
        let t = text.trim();
        if BUILT_IN.contains(&t) {
            return Some(t.to_string());
        }
        let ledger = if t.starts_with("job:") {
            t.to_string()
        } else {
            format!("job:{t}")
        };
        self.plan()
            .jobs
            .iter()
            .any(|(name, _, _)| *name == ledger)
            .then_some(ledger)
    }

    /// Every schedule name that can be paused, for messages.
    pub fn schedule_names(&self) -> Vec<String> {
        BUILT_IN
            .iter()
            .map(|s| s.to_string())
            .chain(self.plan().jobs.iter().map(|(n, _, _)| n.clone()))
            .collect()
    }

    /// A person as the office reads them: `陈志远（市发展改革局局长）`, the office's name for
    /// `office`, the id itself if unknown.
    pub fn person(&self, id: &str) -> String {
        match self.core().official(id) {
            Some(o) if o.title.trim().is_empty() => o.name.clone(),
            Some(o) => format!("{}（{}）", o.name, o.title),
            None if id == "office" => self.core().office.name.clone(),
            None => id.to_string(),
        }
    }

    /// A time in office time, `YYYY-MM-DD HH:MM`.
    pub fn local_time(&self, ms: i64) -> String {
        from_ms(ms)
            .with_timezone(&self.plan().tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// A pause in words: `已暂停（陈志远（…）于 2024-09-20 10:00 暂停，原因：…）`, with its
    /// resume when it ended.
    pub fn pause_text(&self, p: &Pause) -> String {
        let mut s = format!(
            "已暂停（{} 于 {} 暂停",
            self.person(&p.by),
            self.local_time(p.from)
        );
        if let Some(r) = p.reason.as_deref().filter(|r| !r.trim().is_empty()) {
            s.push_str(&format!("，原因：{r}"));
        }
        if let Some(u) = p.until {
            s.push_str(&format!("；{} 恢复", self.local_time(u)));
        }
        s.push('）');
        s
    }
}
