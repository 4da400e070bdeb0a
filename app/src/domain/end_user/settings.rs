//! An end user's settings (`PATCH /v1/user/settings`, EndUserSettingsDto): working hours as
//! days of the week with `HH:MM:SS` intervals and a time zone name. Checked field by field
//! and kept as normalised JSON; an empty body changes nothing.
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde::{Deserialize, Serialize};

use crate::domain::flow::FlowError;
use crate::domain::DomainError;
use crate::entity::end_user;

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const MAX_INTERVALS: usize = 12;

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EndUserSettingsDto)]
pub struct Settings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_hours: Option<WorkHours>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WeekWorkSchedule)]
pub struct WorkHours {
    #[serde(default)]
    pub day_schedules: Vec<DaySchedule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = DayWorkSchedule)]
pub struct DaySchedule {
    pub day_of_week: String,
    #[serde(default)]
    pub working_intervals: Vec<Interval>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = WorkingInterval)]
pub struct Interval {
    pub start: String,
    pub end: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> DomainError {
    FlowError::parameter(field, message).into()
}

/// Seconds since midnight of `HH:MM:SS`.
fn seconds(t: &str) -> Option<u32> {
    let mut parts = t.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || [h, m, s]
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (h, m, s): (u32, u32, u32) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    (h < 24 && m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

/// A time zone name as the IANA database writes them (`Europe/Paris`, `UTC`, `Etc/GMT+2`).
fn zone_name(z: &str) -> bool {
    !z.is_empty()
        && z.len() <= 64
        && z.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-'))
}

pub fn check(s: &Settings) -> Result<(), DomainError> {
    let Some(w) = &s.work_hours else {
        return Ok(());
    };
    if let Some(z) = &w.timezone {
        if !zone_name(z) {
            return Err(invalid(
                "workHours.timezone.invalid",
                "Give the time zone as its IANA name, like Europe/Paris.",
            ));
        }
    }
    let mut seen = Vec::new();
    for d in &w.day_schedules {
        let day = d.day_of_week.to_ascii_lowercase();
        if !DAYS.contains(&day.as_str()) {
            return Err(invalid(
                "workHours.dayOfWeek.invalid",
                "Days are monday to sunday.",
            ));
        }
        if seen.contains(&day) {
            return Err(invalid(
                "workHours.dayOfWeek.invalid",
                format!("{day} is given twice."),
            ));
        }
        seen.push(day);
        if d.working_intervals.len() > MAX_INTERVALS {
            return Err(invalid(
                "workHours.workingIntervals.invalid",
                format!("At most {MAX_INTERVALS} intervals a day."),
            ));
        }
        for i in &d.working_intervals {
            match (seconds(&i.start), seconds(&i.end)) {
                (Some(a), Some(b)) if a < b => {}
                _ => {
                    return Err(invalid(
                        "workHours.workingIntervals.invalid",
                        "Each interval is start and end as HH:MM:SS, start before end.",
                    ))
                }
            }
        }
    }
    Ok(())
}

/// Saves the settings of `user` (the days normalised to lowercase) and returns the user.
pub async fn update(
    db: &DatabaseConnection,
    user: &end_user::Model,
    mut settings: Settings,
) -> Result<end_user::Model, DomainError> {
    check(&settings)?;
    if settings.work_hours.is_none() {
        return Ok(user.clone());
    }
    if let Some(w) = settings.work_hours.as_mut() {
        for d in &mut w.day_schedules {
            d.day_of_week = d.day_of_week.to_ascii_lowercase();
        }
    }
    let text = serde_json::to_string(&settings)
        .map_err(|_| DomainError::Internal("settings do not serialise"))?;
    let mut m: end_user::ActiveModel = user.clone().into();
    m.settings = Set(Some(text));
    Ok(m.update(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(day: &str, start: &str, end: &str) -> Settings {
        Settings {
            work_hours: Some(WorkHours {
                day_schedules: vec![DaySchedule {
                    day_of_week: day.into(),
                    working_intervals: vec![Interval {
                        start: start.into(),
                        end: end.into(),
                    }],
                }],
                timezone: Some("Europe/Paris".into()),
            }),
        }
    }

    #[test]
    fn work_hours_are_days_and_ordered_times() {
        assert!(check(&hours("monday", "09:00:00", "17:30:00")).is_ok());
        assert!(check(&hours("Friday", "00:00:00", "23:59:59")).is_ok());
        for (day, start, end) in [
            ("someday", "09:00:00", "17:00:00"),
            ("monday", "17:00:00", "09:00:00"),
            ("monday", "9:00", "17:00:00"),
            ("monday", "24:00:00", "24:30:00"),
            ("monday", "+9:00:00", "17:00:00"),
        ] {
            assert!(
                check(&hours(day, start, end)).is_err(),
                "{day} {start} {end}"
            );
        }
        let mut zone = hours("monday", "09:00:00", "17:00:00");
        if let Some(w) = zone.work_hours.as_mut() {
            w.timezone = Some("Paris; DROP".into());
        }
        assert!(check(&zone).is_err());
    }
}
