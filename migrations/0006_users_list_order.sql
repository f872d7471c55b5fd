-- Keyset pagination of GET /users/ walks (created_at, id).  Rows made by
-- the original service may have no created_at; rather than change their
-- values, a generated column sorts them first.
ALTER TABLE `users`
  ADD COLUMN `created_sort` datetime AS (IFNULL(`created_at`, TIMESTAMP'1970-01-01 00:00:00')) STORED,
  ADD KEY `users_created_sort_id` (`created_sort`, `id`),
  ADD KEY `users_role_disabled` (`role`, `disabled`);
