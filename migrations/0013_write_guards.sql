-- Rows that transactions which must not run side by side all write.
--
-- On one server, users_admin's SELECT ... FOR UPDATE of the active admins
-- serialises two admins demoting each other.  On a Galera cluster those
-- locks hold only on the node that took them: two such transactions on
-- two nodes write two different users' rows, both pass certification,
-- and the last admin is gone.  Certification does catch two writes of
-- one row, so every transaction that may remove an admin first bumps the
-- 'admins' row here: on one server it waits for the other, on Galera one
-- of the two loses at COMMIT and runs again (common/db.c, db_tx), then
-- sees the other's change.
CREATE TABLE `write_guards` (
  `name` varchar(32) NOT NULL,
  `generation` bigint unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO `write_guards` (`name`) VALUES ('admins');

EXECUTE IMMEDIATE CONCAT('GRANT SELECT, UPDATE ON `write_guards` TO ', @service_account);
