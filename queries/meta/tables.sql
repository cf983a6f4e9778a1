-- The build's own tables, created empty in every new build file: what the warehouse is, the files and runs it came from, the rows rejected, the site's rule settings.
-- grain: statements run in order on a new build file (etl/write_build.py, in the build's first transaction), before the rows go in
-- params: none
CREATE TABLE warehouse_info (
    as_of_date DATE NOT NULL, built_at TIMESTAMPTZ NOT NULL, etl_run_id VARCHAR NOT NULL,
    county_code VARCHAR, county_name VARCHAR, source_dir VARCHAR, source_files JSON,
    boundaries_synthetic BOOLEAN NOT NULL DEFAULT false);
COMMENT ON TABLE warehouse_info IS '数据仓库信息';
COMMENT ON COLUMN warehouse_info.as_of_date IS '数据截止日期';
COMMENT ON COLUMN warehouse_info.built_at IS '生成时间';
COMMENT ON COLUMN warehouse_info.etl_run_id IS '导入批次号';
COMMENT ON COLUMN warehouse_info.county_code IS '县区划代码';
COMMENT ON COLUMN warehouse_info.county_name IS '县名称';
COMMENT ON COLUMN warehouse_info.source_files IS '源文件及其 SHA-256';
COMMENT ON COLUMN warehouse_info.boundaries_synthetic IS '边界为示意（非真实边界）';
CREATE TABLE etl_sources (
    source VARCHAR PRIMARY KEY, label VARCHAR, file_name VARCHAR, sha256 VARCHAR, encoding VARCHAR,
    rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT);
COMMENT ON TABLE etl_sources IS '本次导入的源文件';
CREATE TABLE etl_runs (
    run_id VARCHAR PRIMARY KEY, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, status VARCHAR,
    as_of_date DATE, source_dir VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT,
    reject_report VARCHAR, message VARCHAR);
COMMENT ON TABLE etl_runs IS '历次导入记录（含失败的）';
CREATE TABLE etl_rejects (
    run_id VARCHAR, file VARCHAR, source VARCHAR, row BIGINT, "column" VARCHAR, value VARCHAR,
    rule VARCHAR, message VARCHAR);
COMMENT ON TABLE etl_rejects IS '拒收的行：文件、Excel 行号、列、原值、规则、处理办法';
COMMENT ON COLUMN etl_rejects.row IS '行号（与 Excel 中看到的一致）';
COMMENT ON COLUMN etl_rejects.message IS '问题及处理办法';
-- The site's rule parameters (orgdash.toml), one row each: etl/write_build.py inserts them.
CREATE TABLE rule_settings (
    name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL, label VARCHAR NOT NULL, sort_order INTEGER);
COMMENT ON TABLE rule_settings IS '规则参数（orgdash.toml）：资格核查的信用等级线、重大事项报告时限';
COMMENT ON COLUMN rule_settings.sort_order IS '信用等级线在等级表中的位置（lookup_credit_rating.sort_order）';
