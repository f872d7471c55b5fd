-- The service account (the workers' login, @service_account as set by
-- genesis-admin migrate from db_service_account) gets only what the
-- worker needs, table by table.
EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON `users` TO ', @service_account);
EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON `profiles` TO ', @service_account);
EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON `schema_migrations` TO ', @service_account);
