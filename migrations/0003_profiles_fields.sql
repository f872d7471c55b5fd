-- The Profile fields of API.md that the original lacked.
ALTER TABLE `profiles`
  ADD COLUMN `date_of_birth` date DEFAULT NULL,
  ADD COLUMN `mobile_number` varchar(32) DEFAULT NULL,
  ADD COLUMN `phone_verified` tinyint(1) NOT NULL DEFAULT 0,
  ADD COLUMN `address_line1` varchar(255) DEFAULT NULL,
  ADD COLUMN `address_line2` varchar(255) DEFAULT NULL,
  ADD COLUMN `city` varchar(100) DEFAULT NULL,
  ADD COLUMN `state` varchar(100) DEFAULT NULL,
  ADD COLUMN `zip_code` varchar(20) DEFAULT NULL,
  ADD COLUMN `country` varchar(100) DEFAULT NULL,
  ADD COLUMN `locale` varchar(35) DEFAULT NULL,
  ADD COLUMN `timezone` varchar(64) DEFAULT NULL;
