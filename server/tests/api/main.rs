//! Integration tests: the real router against real PostgreSQL and a MongoDB-wire server.
//! `make test` starts both and sets DATABASE_URL and TEST_MONGODB_URI; each test gets its own
//! fresh PostgreSQL database and MongoDB database.
mod access;
mod accounts;
mod admin;
mod api_v1;
mod automations;
mod backups;
mod bad_input;
mod catch_up;
mod clerky_jwt;
mod crash;
mod engine;
mod generated_deliveries;
mod growth;
mod headers;
mod helpers;
mod hostile_text;
mod inbox;
mod insights;
mod instance_actions;
mod instances;
mod leads;
mod limits;
mod live;
mod locale_and_pages;
mod metrics;
mod notifications;
mod operations;
mod poison;
mod processes;
mod report_views;
mod reports;
mod restart;
mod schema;
mod tls;
mod webhooks;
