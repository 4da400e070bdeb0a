//! A PostgreSQL database of the benchmark's own, made fresh and dropped afterwards.
use sea_orm::{ConnectionTrait, Database};

use crate::BenchError;

pub struct ScratchDatabase {
    server: String,
    name: String,
}

impl ScratchDatabase {
    pub async fn create(server: &str) -> Result<ScratchDatabase, BenchError> {
        let server = server.trim_end_matches('/').to_owned();
        let name = format!("linkgate_bench_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(format!("{server}/postgres")).await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        admin.close().await?;
        Ok(ScratchDatabase { server, name })
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    pub async fn drop_now(self) -> Result<(), BenchError> {
        let admin = Database::connect(format!("{}/postgres", self.server)).await?;
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .await?;
        admin.close().await?;
        Ok(())
    }
}
