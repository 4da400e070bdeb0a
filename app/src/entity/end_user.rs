use sea_orm::entity::prelude::*;

/// An end user of an application (user-session flow), known by its primary account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "end_users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub app_id: Uuid,
    pub primary_account_id: Option<i64>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub auth_org_id: Option<String>,
    pub created_at: i64,
    pub last_activity_at: i64,
    /// JSON of the end user's settings (`workHours`), as `PATCH /v1/user/settings` took them.
    pub settings: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
