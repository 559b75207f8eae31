-- The one warehouse schema. Each migration starts with a line "-- migration N: what it does" and is
-- applied once, in order, inside a transaction; applied versions are kept in schema_migrations.
-- Never edit an applied migration: add a new one below.

-- migration 1: runs, quarantine, validation results
CREATE TABLE ingest_runs (
    run_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,             -- taxonomy | postings | stats | courses
    format VARCHAR NOT NULL,           -- importer name, e.g. esco, eures, generic_csv, ba
    source VARCHAR NOT NULL,           -- file or folder, as given
    checksum VARCHAR NOT NULL,         -- sha256 of the file(s)
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    duration_s DOUBLE NOT NULL,
    status VARCHAR NOT NULL            -- loaded | unchanged
);
CREATE TABLE quarantine (
    run_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT,
    field VARCHAR,
    reason VARCHAR NOT NULL,
    raw VARCHAR
);
CREATE TABLE validation_results (
    run_id VARCHAR NOT NULL,
    suite VARCHAR NOT NULL,
    success BOOLEAN NOT NULL,
    evaluated INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    result_json VARCHAR NOT NULL
);

-- migration 2: taxonomies (ESCO, O*NET) and crosswalks
CREATE TABLE taxonomy_versions (
    taxonomy VARCHAR NOT NULL,         -- esco | onet
    version VARCHAR NOT NULL,
    languages VARCHAR[] NOT NULL,
    file VARCHAR NOT NULL,
    PRIMARY KEY (taxonomy, version)
);
CREATE TABLE skills (
    version VARCHAR NOT NULL,
    uri VARCHAR NOT NULL,
    skill_type VARCHAR,
    reuse_level VARCHAR,
    preferred_label VARCHAR NOT NULL,
    description VARCHAR,
    status VARCHAR,
    file VARCHAR NOT NULL,
    PRIMARY KEY (version, uri)
);
-- every label of every ESCO concept (skills, skill groups, occupations) in every language loaded
CREATE TABLE concept_labels (
    version VARCHAR NOT NULL,
    uri VARCHAR NOT NULL,
    concept_kind VARCHAR NOT NULL,     -- skill | skill_group | occupation | isco_group
    lang VARCHAR NOT NULL,
    label_type VARCHAR NOT NULL,       -- preferred | alt | hidden
    label VARCHAR NOT NULL,
    file VARCHAR NOT NULL
);
CREATE TABLE skill_groups (
    version VARCHAR NOT NULL,
    uri VARCHAR NOT NULL,
    code VARCHAR,
    preferred_label VARCHAR NOT NULL,
    description VARCHAR,
    file VARCHAR NOT NULL,
    PRIMARY KEY (version, uri)
);
-- skills hierarchy rows (level 0..3) as published
CREATE TABLE skill_hierarchy (
    version VARCHAR NOT NULL,
    level INTEGER NOT NULL,
    uri VARCHAR NOT NULL,
    code VARCHAR,
    label VARCHAR,
    parent_uri VARCHAR,
    file VARCHAR NOT NULL
);
-- broader relations of the skill and occupation pillars
CREATE TABLE broader_relations (
    version VARCHAR NOT NULL,
    pillar VARCHAR NOT NULL,           -- skill | occupation
    uri VARCHAR NOT NULL,
    concept_type VARCHAR,
    broader_uri VARCHAR NOT NULL,
    broader_type VARCHAR,
    file VARCHAR NOT NULL
);
CREATE TABLE skill_relations (
    version VARCHAR NOT NULL,
    skill_uri VARCHAR NOT NULL,
    related_uri VARCHAR NOT NULL,
    relation_type VARCHAR NOT NULL,
    file VARCHAR NOT NULL
);
CREATE TABLE occupations (
    version VARCHAR NOT NULL,
    uri VARCHAR NOT NULL,
    isco_group VARCHAR,
    code VARCHAR,
    preferred_label VARCHAR NOT NULL,
    description VARCHAR,
    file VARCHAR NOT NULL,
    PRIMARY KEY (version, uri)
);
CREATE TABLE occupation_skills (
    version VARCHAR NOT NULL,
    occupation_uri VARCHAR NOT NULL,
    skill_uri VARCHAR NOT NULL,
    relation_type VARCHAR NOT NULL,    -- essential | optional
    skill_type VARCHAR,
    file VARCHAR NOT NULL
);
CREATE TABLE isco_groups (
    version VARCHAR NOT NULL,
    uri VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    preferred_label VARCHAR NOT NULL,
    file VARCHAR NOT NULL
);
CREATE TABLE skill_collections (
    version VARCHAR NOT NULL,
    collection VARCHAR NOT NULL,       -- digital | green | transversal | language | research | digcomp
    uri VARCHAR NOT NULL,
    concept_kind VARCHAR NOT NULL,     -- skill | occupation
    file VARCHAR NOT NULL
);
CREATE TABLE onet_occupations (
    version VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR,
    job_zone INTEGER,
    file VARCHAR NOT NULL
);
CREATE TABLE onet_titles (
    version VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    title_kind VARCHAR NOT NULL,       -- alternate | reported
    file VARCHAR NOT NULL
);
CREATE TABLE onet_elements (
    version VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    domain VARCHAR NOT NULL,           -- skills | knowledge | technology
    element_id VARCHAR,
    element_name VARCHAR NOT NULL,
    importance DOUBLE,
    level DOUBLE,
    hot_technology BOOLEAN,
    in_demand BOOLEAN,
    file VARCHAR NOT NULL
);
-- every crosswalk as one long table of code pairs
CREATE TABLE crosswalks (
    crosswalk VARCHAR NOT NULL,        -- esco_onet | isco_soc | kldb_isco | kldb3_isco | skills_based_sectors
    from_scheme VARCHAR NOT NULL,
    from_code VARCHAR NOT NULL,
    from_label VARCHAR,
    to_scheme VARCHAR NOT NULL,
    to_code VARCHAR NOT NULL,
    to_label VARCHAR,
    weight DOUBLE,
    is_primary BOOLEAN,
    file VARCHAR NOT NULL
);

-- migration 3: postings, labour statistics, courses
CREATE TABLE postings (
    posting_key VARCHAR PRIMARY KEY,   -- source || ':' || posting_id
    posting_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR,
    posted_at DATE NOT NULL,
    country VARCHAR NOT NULL,
    region VARCHAR,
    sector VARCHAR,
    occupation VARCHAR,
    language VARCHAR,
    url VARCHAR,
    company VARCHAR,
    latitude DOUBLE,
    longitude DOUBLE,
    title_en VARCHAR,
    text_hash UBIGINT NOT NULL,
    minhash UBIGINT[] NOT NULL,
    duplicate_of VARCHAR,              -- exact duplicate of this posting_key
    near_duplicate_of VARCHAR,         -- near duplicate (reposted with edits) of this posting_key
    file VARCHAR NOT NULL,
    record BIGINT NOT NULL             -- record number in its file (header excluded); quarantine.line is physical
);
CREATE TABLE labour_stats (
    source VARCHAR NOT NULL,           -- ba | ons | indeed | eurostat
    dataset VARCHAR NOT NULL,          -- file-level dataset name
    indicator VARCHAR NOT NULL,
    geo_code VARCHAR NOT NULL,
    geo_level VARCHAR NOT NULL,        -- country | nuts1 | nuts2 | nuts3 | district | state | city | ...
    geo_label VARCHAR,
    class_code VARCHAR NOT NULL,       -- sector or occupation code, 'TOTAL' when none
    class_scheme VARCHAR NOT NULL,     -- nace | sic2007 | kldb2010 | isco08 | indeed_sector | total
    period DATE NOT NULL,
    freq VARCHAR NOT NULL,             -- D | W | M | Q | A
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    record BIGINT
);
CREATE TABLE courses (
    provider VARCHAR NOT NULL,
    course_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR,
    skills VARCHAR[],
    language VARCHAR,
    level VARCHAR,
    url VARCHAR,
    organization VARCHAR,
    subject VARCHAR,
    rating DOUBLE,
    enrolment BIGINT,
    file VARCHAR NOT NULL,
    record BIGINT NOT NULL
);

-- migration 4: skill extraction from postings
CREATE TABLE posting_languages (
    posting_key VARCHAR PRIMARY KEY,
    language VARCHAR,                  -- ISO 639-1 detected (or given by the posting), NULL when undetermined
    confidence DOUBLE,
    method VARCHAR NOT NULL            -- given | detected
);
-- one row per posting and taxonomy version processed: what was done with it
CREATE TABLE extraction_status (
    posting_key VARCHAR NOT NULL,
    taxonomy_version VARCHAR NOT NULL,
    extractor VARCHAR NOT NULL,        -- extractor version string
    status VARCHAR NOT NULL,           -- extracted | unsupported_language
    skills INTEGER NOT NULL,
    processed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (posting_key, taxonomy_version)
);
CREATE TABLE posting_skills (
    posting_key VARCHAR NOT NULL,
    taxonomy_version VARCHAR NOT NULL,
    skill_uri VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL,
    method VARCHAR NOT NULL,           -- literal | semantic
    lang VARCHAR NOT NULL,
    span_start INTEGER,                -- character offsets in title || '\n' || description
    span_end INTEGER,
    matched_text VARCHAR,
    matched_label VARCHAR
);

-- migration 5: coding postings (occupation, region, sector)
CREATE TABLE posting_codes (
    posting_key VARCHAR PRIMARY KEY,
    occupation_uri VARCHAR,
    isco_code VARCHAR,
    occupation_confidence DOUBLE,
    region_code VARCHAR,
    region_level VARCHAR,              -- nuts1 | nuts2 | nuts3 | iso3166_2 | country
    country VARCHAR NOT NULL,
    sector_code VARCHAR,               -- NACE section letter, NULL when unknown
    sector_scheme VARCHAR,
    coded_at TIMESTAMP NOT NULL
);

-- migration 6: the skill-demand panel (one long series format everywhere)
CREATE TABLE series (
    series_id VARCHAR NOT NULL,
    ds DATE NOT NULL,
    y DOUBLE NOT NULL,
    PRIMARY KEY (series_id, ds)
);
CREATE TABLE series_attributes (
    series_id VARCHAR PRIMARY KEY,
    freq VARCHAR NOT NULL,             -- D | W | M | Q | A
    region VARCHAR NOT NULL,           -- region code, or the country, or 'ALL'
    region_level VARCHAR NOT NULL,
    sector VARCHAR NOT NULL,           -- sector code or 'ALL'
    sector_scheme VARCHAR NOT NULL,
    occupation VARCHAR NOT NULL,       -- ISCO code or 'ALL'
    skill VARCHAR NOT NULL,            -- ESCO skill URI or 'ALL'
    skill_group VARCHAR NOT NULL,      -- ESCO skill group URI or 'ALL'
    hierarchy_level VARCHAR NOT NULL,  -- e.g. skill_group | skill | total
    source VARCHAR NOT NULL,           -- postings | ba | ons | indeed | reconciled
    route VARCHAR NOT NULL,            -- how the numbers were made, in words
    unit VARCHAR NOT NULL
);
-- exogenous features joined to series by region and date (unemployment, AI share, remote share, wage growth)
CREATE TABLE series_exogenous (
    region VARCHAR NOT NULL,
    ds DATE NOT NULL,
    name VARCHAR NOT NULL,
    value DOUBLE NOT NULL
);

-- migration 7: backtest scorecards
CREATE TABLE backtest_runs (
    run_id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    input VARCHAR NOT NULL,            -- the series file, or 'panel' (with its filter)
    freq VARCHAR NOT NULL,
    season INTEGER NOT NULL,
    horizon INTEGER NOT NULL,
    windows INTEGER NOT NULL,
    series INTEGER NOT NULL,
    series_skipped INTEGER NOT NULL,
    summary_json VARCHAR NOT NULL      -- the `moocast backtest --json` object
);
-- one row per run, model and series: scores averaged over the scored windows
CREATE TABLE backtest_scores (
    run_id VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    series_id VARCHAR NOT NULL,
    mase DOUBLE,
    smape DOUBLE,
    rmsse DOUBLE,
    coverage_80 DOUBLE,
    coverage_95 DOUBLE
);

-- migration 8: sentence-embedding caches for semantic skill linking (the `semantic` extra)
CREATE TABLE label_embeddings (
    version VARCHAR NOT NULL,
    lang VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    skill_uri VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    vector FLOAT[] NOT NULL
);
CREATE TABLE phrase_embeddings (
    model VARCHAR NOT NULL,
    phrase VARCHAR NOT NULL,
    vector FLOAT[] NOT NULL,
    PRIMARY KEY (model, phrase)
);

-- migration 9: forecasts of the champion model, stamped with its registry version
CREATE TABLE forecasts (
    model_name VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    series_id VARCHAR NOT NULL,
    step INTEGER NOT NULL,
    ds DATE NOT NULL,
    yhat DOUBLE NOT NULL,
    lo_80 DOUBLE NOT NULL,
    hi_80 DOUBLE NOT NULL,
    lo_95 DOUBLE NOT NULL,
    hi_95 DOUBLE NOT NULL,
    chosen_model VARCHAR NOT NULL,     -- the forecaster the backtest chose for this series
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (model_name, series_id, step)
);

-- migration 10: batch retraining runs and their stages (a crashed run resumes after its last finished stage)
CREATE TABLE retrain_runs (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP                 -- NULL while running or after a crash
);
CREATE TABLE retrain_stages (
    run_id VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    seconds DOUBLE NOT NULL,
    detail_json VARCHAR NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, stage)
);

-- migration 11: hierarchies of the panel: every parent series is the sum of its (bottom) child series
CREATE TABLE series_links (
    hierarchy VARCHAR NOT NULL,        -- e.g. ba_region_x_skill_group, ons_sectors
    parent VARCHAR NOT NULL,
    child VARCHAR NOT NULL,            -- always a bottom series (one that is no parent)
    PRIMARY KEY (parent, child)
);

-- migration 12: course supply (courses mapped to ESCO skills, normalised course facts)
-- one row per course (rows of the same course merged, see features/course_skills.py): normalised level and
-- resolved language
CREATE TABLE course_facts (
    provider VARCHAR NOT NULL,
    course_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    level VARCHAR NOT NULL,            -- introductory | intermediate | advanced | mixed | unknown
    language VARCHAR NOT NULL,         -- ISO 639-1, or 'und' when neither stated nor detected with confidence
    language_method VARCHAR NOT NULL,  -- given | detected | undetermined
    language_confidence DOUBLE NOT NULL,
    organization VARCHAR,
    subject VARCHAR,
    url VARCHAR,
    rating DOUBLE,
    enrolment BIGINT,
    merged_ids VARCHAR[] NOT NULL,     -- other course_ids of the same course (same title and organisation)
    input_rows INTEGER NOT NULL,       -- rows of `courses` merged into this course (same id, or title and org)
    has_description BOOLEAN NOT NULL,  -- a description (or syllabus) was read besides the title
    PRIMARY KEY (provider, course_id)
);
-- one row per course and taxonomy version mapped: what was done with it (courses with no skill included)
CREATE TABLE course_mapping (
    provider VARCHAR NOT NULL,
    course_id VARCHAR NOT NULL,
    taxonomy_version VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,      -- sha256 of the merged course row: a changed course is mapped again
    status VARCHAR NOT NULL,           -- mapped | no_skill
    skills INTEGER NOT NULL,
    label_lang VARCHAR,                -- language of the ESCO labels read on title + description; NULL: not read
    own_items INTEGER NOT NULL,        -- items of the course's own skill list
    own_items_exact INTEGER NOT NULL,  -- items equal to an ESCO label
    own_items_mapped INTEGER NOT NULL, -- items equal to or containing an ESCO label
    mapped_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, course_id, taxonomy_version)
);
CREATE TABLE course_skills (
    provider VARCHAR NOT NULL,
    course_id VARCHAR NOT NULL,
    taxonomy_version VARCHAR NOT NULL,
    skill_uri VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL,
    method VARCHAR NOT NULL,           -- own_list | literal: the best method that found the skill
    matched_text VARCHAR,              -- the own-list item, or the text span
    found_by VARCHAR[] NOT NULL,       -- every method that found it
    PRIMARY KEY (provider, course_id, taxonomy_version, skill_uri)
);

-- migration 13: gaps and ranked course topics (moocast priorities), one list per model and selection
CREATE TABLE priorities (
    model_name VARCHAR NOT NULL,       -- the registered forecast model whose forecasts were ranked
    model_version VARCHAR NOT NULL,    -- its version that made the forecasts
    taxonomy_version VARCHAR NOT NULL,
    provider VARCHAR NOT NULL,         -- whose catalogue counts as coverage, 'ALL' = every provider
    language_filter VARCHAR NOT NULL,  -- the --language given, 'ALL' when none
    region_filter VARCHAR NOT NULL,    -- the --region given, 'ALL' when none
    rank INTEGER NOT NULL,
    topic_id VARCHAR NOT NULL,         -- the seed skill's URI key
    topic VARCHAR NOT NULL,
    language VARCHAR NOT NULL,         -- the language the course is for
    level VARCHAR NOT NULL,            -- introductory | intermediate | advanced
    score DOUBLE NOT NULL,             -- demand x momentum x need x entry_weight x uncovered
    demand DOUBLE NOT NULL,            -- forecast demand over the horizon, mean per period
    momentum DOUBLE NOT NULL,
    need DOUBLE NOT NULL,
    entry_weight DOUBLE NOT NULL,
    uncovered DOUBLE NOT NULL,
    demand_lo_80 DOUBLE NOT NULL,
    demand_hi_80 DOUBLE NOT NULL,
    growth DOUBLE,                     -- NULL where nothing was observed in the last period
    growth_lo_80 DOUBLE,
    growth_hi_80 DOUBLE,
    coverage DOUBLE NOT NULL,
    entry_json VARCHAR NOT NULL,       -- the whole entry as `moocast priorities --json` prints it
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (model_name, provider, language_filter, region_filter, rank)
);
-- the gap of every skill (over the selection's regions, per language) and of every skill group by region and
-- sector, with the same components as the topics'
CREATE TABLE gaps (
    model_name VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    provider VARCHAR NOT NULL,
    language_filter VARCHAR NOT NULL,
    region_filter VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,             -- skill | skill_group
    uri VARCHAR NOT NULL,              -- the ESCO skill or skill group
    language VARCHAR NOT NULL,
    region VARCHAR NOT NULL,           -- 'ALL' for skills (every region of the selection speaking the language)
    sector VARCHAR NOT NULL,
    demand DOUBLE NOT NULL,
    demand_lo_80 DOUBLE NOT NULL,
    demand_hi_80 DOUBLE NOT NULL,
    growth DOUBLE,
    growth_lo_80 DOUBLE,
    growth_hi_80 DOUBLE,
    momentum DOUBLE NOT NULL,
    need DOUBLE NOT NULL,
    entry_share DOUBLE NOT NULL,
    entry_weight DOUBLE NOT NULL,
    uncovered DOUBLE NOT NULL,
    score DOUBLE NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- migration 14: backtest runs stamped with the registered model version they were made for (moocast train)
ALTER TABLE backtest_runs ADD COLUMN model_name VARCHAR;     -- NULL for `moocast backtest` runs
ALTER TABLE backtest_runs ADD COLUMN model_version VARCHAR;
-- migration 15: the extractor a course was mapped with; a course mapped by an older extractor is mapped again
ALTER TABLE course_mapping ADD COLUMN extractor VARCHAR;     -- NULL: mapped before extractors were recorded
-- migration 16: postings' descriptions stored with zstd (the default compression analysis made the insert
-- of long texts the slowest step of an ingest); the table is rebuilt with the same rows
CREATE TABLE postings_zstd (
    posting_key VARCHAR PRIMARY KEY,   -- source || ':' || posting_id
    posting_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR USING COMPRESSION zstd,  -- free text: zstd writes 3x faster and 3x smaller than the
                                                 -- dictionary + FSST compression DuckDB picks by default
    posted_at DATE NOT NULL,
    country VARCHAR NOT NULL,
    region VARCHAR,
    sector VARCHAR,
    occupation VARCHAR,
    language VARCHAR,
    url VARCHAR,
    company VARCHAR,
    latitude DOUBLE,
    longitude DOUBLE,
    title_en VARCHAR,
    text_hash UBIGINT NOT NULL,
    minhash UBIGINT[] NOT NULL,
    duplicate_of VARCHAR,              -- exact duplicate of this posting_key
    near_duplicate_of VARCHAR,         -- near duplicate (reposted with edits) of this posting_key
    file VARCHAR NOT NULL,
    record BIGINT NOT NULL             -- record number in its file (header excluded); quarantine.line is physical
);
INSERT INTO postings_zstd SELECT * FROM postings;
DROP TABLE postings;
ALTER TABLE postings_zstd RENAME TO postings;
-- migration 17: the hash of the posting fields an extraction and a coding were made from, so that a posting whose
-- source was reloaded with other text (same posting_key) is extracted and coded again; the expressions are
-- EXTRACTION_INPUT (pipelines/extract.py) and CODING_INPUT (pipelines/coding.py): rows already there are taken to
-- be of today's text (should the expressions drift apart, those postings are simply redone once)
ALTER TABLE extraction_status ADD COLUMN input_hash UBIGINT;
ALTER TABLE posting_codes ADD COLUMN input_hash UBIGINT;
UPDATE extraction_status SET input_hash = hash(p.title, p.description, p.language)
FROM postings p WHERE p.posting_key = extraction_status.posting_key;
UPDATE posting_codes SET input_hash = hash(p.title, p.description, p.title_en, p.country, p.region, p.sector, p.language)
FROM postings p WHERE p.posting_key = posting_codes.posting_key;
-- migration 18: weighted hierarchy links: a parent is the weighted sum of its children (1 for the plain sums; a
-- Germany x skill series counts in each of its ESCO skill groups with its share of that group, see SPLIT_HIERARCHIES)
ALTER TABLE series_links ADD COLUMN weight DOUBLE DEFAULT 1.0;
-- migration 19: what a backtest's served forecasts (`selected`) said in each scored window, with their intervals, beside
-- what happened: the service shows a series' past forecasts against its history (runs stored before have none)
CREATE TABLE backtest_forecasts (
    run_id VARCHAR NOT NULL,
    series_id VARCHAR NOT NULL,
    step INTEGER NOT NULL,             -- periods ahead of the window's forecast origin
    ds DATE NOT NULL,
    y DOUBLE NOT NULL,                 -- what happened
    yhat DOUBLE,
    lo_80 DOUBLE,
    hi_80 DOUBLE,
    lo_95 DOUBLE,
    hi_95 DOUBLE
);
