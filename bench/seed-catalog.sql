-- The catalog of the bench: published datasets number :first to :n of the demo source unit :'owner', straight into the
-- tables (the API would take minutes for 100,000); called again with a higher :first it grows the same catalog (to
-- 1,000,000 for issue 15's row). Bench database only; never a seed of `./dataspace up`.
--
-- Chinese + English titles from ten subjects x seven kinds, so that `q=` matches a subset: 灯饰 is in the title or the
-- tags of 2 rows in 10 (subject 古镇灯饰, industry tag 灯饰照明), "inspection" in 1 in 10. search_text is what the API
-- keeps: lower(title \n description \n tags...). Ids are time-ordered like the API's Guid.CreateVersion7, all older than
-- anything the bench uploads. Each dataset gets a committed version 1, so the catalog's latest_version has work to do.

\set ON_ERROR_STOP 1

begin;

-- A million rows: let the trigram index collect them in its pending list and merge them in bulk (at the vacuum below)
-- instead of every 4 MB.
set local gin_pending_list_limit = '1GB';
set local work_mem = '256MB';
set maintenance_work_mem = '512MB';

create temporary table bench_rows on commit drop as
select i,
       (array['古镇灯饰', '小榄五金', '家电能耗', '工业视觉质检', '电商评论', '物流轨迹', '医药冷链', '服装版型', '红木家具', '智能照明'])[1 + i % 10] as subject_zh,
       (array['lighting', 'hardware', 'appliance energy', 'visual inspection', 'e-commerce reviews', 'logistics tracks',
              'cold chain', 'garment patterns', 'rosewood furniture', 'smart lighting'])[1 + i % 10] as subject_en,
       (array['灯饰照明', '五金制品', '家用电器', '装备制造', '电子商务', '智慧物流', '健康医药', '纺织服装', '家具制造', '灯饰照明'])[1 + i % 10] as industry,
       (array['图像', '文本', '时序', '表格', '语音', '视频', '点云'])[1 + i % 7] as kind_zh,
       (array['images', 'text', 'time series', 'tables', 'speech', 'video', 'point clouds'])[1 + i % 7] as kind_en,
       2019 + i % 7 as year,
       timestamptz '2025-03-01 00:00:00+08' + make_interval(mins => i) as at,
       md5('dataspace-bench-' || i) as h
from generate_series(:first, :n) as i;

insert into datasets (id, owner_id, title, description, industry, tags, access, licence, update_frequency, security_level,
                      personal_information, personal_information_consent_ref, provenance, status, search_text,
                      created_at, updated_at, published_at)
select id, :'owner'::uuid, title, description, industry, tags,
       case when i % 4 = 0 then 'paid' else 'open' end, 'CC BY 4.0',
       (array['once', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'])[1 + i % 7], 'general', 'none', null,
       '{"source_type":"self_operated","source_systems":["bench generator"],"collection_period":{"start":"2025-01-01","end":"2025-12-31"},"collection_method":"synthetic rows for ./dataspace bench","legal_basis":"generated test data","rights":{"resource_holding":{"holder":"中山市古镇灯饰数据科技有限公司","basis":"自行采集"},"processing_use":{"holder":"中山市古镇灯饰数据科技有限公司","basis":"自行采集"},"product_operation":{"holder":"中山市古镇灯饰数据科技有限公司","basis":"自行采集"}},"lineage":[]}'::jsonb,
       'published', lower(title || E'\n' || description || E'\n' || array_to_string(tags, E'\n')),
       at, at, at
from (
    select r.*,
           -- uuid v7 layout: 48-bit unix milliseconds, version 7, variant 8, the rest from the row's hash.
           (lpad(to_hex((extract(epoch from at) * 1000)::bigint), 12, '0') || '7' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid as id,
           subject_zh || kind_zh || '数据集 ' || year || ' · ' || initcap(subject_en) || ' ' || kind_en || ' #' || i as title,
           '中山市' || subject_zh || '相关的' || kind_zh || '数据，采集于 ' || year || ' 年，已脱敏，可用于模型训练与评测。' || E'\n'
               || 'Zhongshan ' || subject_en || ' ' || kind_en || ' collected in ' || year || ', for model training and evaluation.' as description,
           array[industry, subject_zh, kind_zh, subject_en] as tags
    from bench_rows r
) d;

insert into dataset_versions (dataset_id, number, status, notes, manifest_sha256, file_count, total_bytes, created_at, committed_at)
select d.id, 1, 'committed', '首个版本 first version', encode(sha256(d.id::text::bytea), 'hex'), 1, 1048576, d.created_at, d.created_at
from datasets d
where d.owner_id = :'owner'::uuid and d.provenance ->> 'collection_method' = 'synthetic rows for ./dataspace bench'
  and not exists (select 1 from dataset_versions v where v.dataset_id = d.id);

commit;

vacuum (analyze) datasets, dataset_versions;
-- The seeding wrote a lot of WAL: checkpoint now rather than in the middle of a measurement.
checkpoint;
