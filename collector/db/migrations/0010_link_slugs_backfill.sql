-- Custom SQL migration file, put your code below! --
-- Every existing link's slug finds its site again through the new lookup (slugs were unique
-- across sites until now, under the dropped links_slug_idx).
INSERT INTO "link_slugs" ("slug", "site_id") SELECT "slug", "site_id" FROM "links";
