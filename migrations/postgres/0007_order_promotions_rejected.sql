-- The promotions an order's pricing considered and did not apply, with the
-- reason (docs/SPEC.md §2.3.1 rule 7), as JSON: shown with the order like its adjustments.
ALTER TABLE orders ADD COLUMN promotions_rejected TEXT NOT NULL DEFAULT '[]';
