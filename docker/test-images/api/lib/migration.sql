-- Fake "alembic upgrade head": revision 0002. Idempotent, one transaction, so a
-- failure leaves the database untouched. :tbl (default users) gets a column if
-- that table exists, so restored data visibly goes through a migration.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE TABLE IF NOT EXISTS alembic_version (
  version_num varchar(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
SELECT set_config('runbook.migration_table', :'tbl', true) \g /dev/null
DO $$
DECLARE t regclass := to_regclass(current_setting('runbook.migration_table'));
BEGIN
  IF t IS NOT NULL THEN
    EXECUTE format('ALTER TABLE %s ADD COLUMN IF NOT EXISTS migrated_at timestamptz', t);
  END IF;
END $$;
DELETE FROM alembic_version WHERE version_num <> '0002';
INSERT INTO alembic_version (version_num) VALUES ('0002') ON CONFLICT DO NOTHING;
COMMIT;
