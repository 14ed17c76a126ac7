-- One definition each of when a listing certificate counts and when a consent is active (issue 20): every query that
-- asks either question reads these views and applies its own time (a view is inlined into the query that reads it, so
-- the planner still uses the tables' indexes).

-- Owned by Certificates. A listing certificate is in force from its issue until valid_until, unless its listing was
-- revoked or its dataset withdrawn: either revokes it, for every time, as GET /v1/certificates/{number} says.
-- in_force is the empty range for a revoked certificate; revoked_by names what revoked it ('listing' or 'dataset').
create view listing_certificate_validity as
select c.number, c.listing_id, l.version, c.dataset_id, l.owner_id, c.issued_at, c.valid_until,
       case when l.status = 'revoked' then 'listing' when d.status = 'withdrawn' then 'dataset' end as revoked_by,
       case when l.status = 'revoked' then l.revoked_at when d.status = 'withdrawn' then d.withdrawn_at end as revoked_at,
       case when l.status = 'revoked' then l.revoked_reason end as revoked_reason,
       case when l.status = 'revoked' or d.status = 'withdrawn' then 'empty'::tstzrange
            else tstzrange(c.issued_at, greatest(c.issued_at, c.valid_until)) end as in_force
from listing_certificates c
join listings l on l.id = c.listing_id
join datasets d on d.id = c.dataset_id;

-- Owned by Consents. A consent lets its grantee read from valid_from until valid_until, or until it was revoked if that
-- came first (ConsentStore.ConsentRow.StatusAt is the same rule where the gate also explains a refusal).
create view consent_validity as
select c.id, c.grantor_id, c.grantee_id, c.categories, c.all_datasets, c.dataset_ids, c.created_at,
       tstzrange(c.valid_from, case when c.revoked_at is null then c.valid_until
                                    else greatest(c.valid_from, least(c.valid_until, c.revoked_at)) end) as in_force
from consents c;
