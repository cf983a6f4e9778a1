"""The demo county: invented raw files in the forms the bureau's offices produce.

A room of its own, beside the ETL and never inside it: the demo writes files that `orgdash load`
reads like any clerk's, so the loader knows nothing about the demo (tests/test_architecture.py
keeps etl/ from importing demo/).

    synthetic.py    the seeded county (or province, `--scale`) that reproduces the speech's figures
    real_county.py  the same on a real county's divisions (`orgdash demo --county 530427`)
    geometry.py     schematic boundaries and positions both draw with
    linkage.py      the speech's remaining systems (社工站, 党组织, 联合会, 重大事项, 信息公开)
    targets.py      the year's targets (年度目标.xlsx)
    office.py       the same data saved the way clerks save it (several sheets, .xls, merged headers)
    counties/       real counties' division extracts (README.md says where they come from)
"""
