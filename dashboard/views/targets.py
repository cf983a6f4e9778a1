"""目标: the year's targets the leadership sets, per county or township (admin only). Each change is
checked by the load's rules and loaded as a new build, so it can be rolled back on 导入 and a
rejected one changes nothing (etl/targets.py); the 总览, the 大屏 and the report show progress."""

from __future__ import annotations

import polars as pl
import streamlit as st

import queries
from dashboard import auth, data, errors, filters
from dashboard.safe import md
from etl import staging
from etl import targets as target_file
from etl.pipeline import LoadBusy, LoadFailed
from queries.indicators import catalogue

K = "tgt"
DONE = f"{K}_done"  # session state: what the last save did, shown after the page reloads
COUNTY = "county"  # the place picker's value for the whole county

me = auth.current()
pointer = queries.db_path()
aims = catalogue().targetable()
names = {i.key: i.label for i in aims}
towns = filters.township_names()
places = {COUNTY: "全县", **towns}
as_of = data.as_of()

st.title("年度目标")
st.caption(
    "设定全县和各乡镇（街道）的年度目标。保存前按导入的同一套规则校验，通过后作为一次导入生成新的数据版本"
    "（可在「导入」页回退），并记入审计日志；总览、大屏和报告随即显示完成情况。"
    "乡镇没有设定的比例类目标沿用全县目标；平均每个社区组织数未设定时以国家标准为目标。"
)

done = st.session_state.pop(DONE, None)
if done:
    st.success(done)

# ---------------------------------------------------------------- the targets set now

st.subheader("已设定的目标")
current = data.run("targets/set")
if current.is_empty():
    st.info("还没有设定目标。")
else:
    st.dataframe(
        current.select(
            pl.col("year").alias("年度"),
            pl.col("place_name").alias("范围"),
            pl.col("label").alias("指标"),
            pl.col("target_text").alias("目标值"),
            pl.col("note").fill_null("").alias("说明"),
        ),
        hide_index=True,
        width="stretch",
        key=f"{K}_current",
    )


def _saved(verb: str, run_id: str) -> None:
    st.session_state[DONE] = f"{verb}。新的数据版本 {run_id}，所有页面已切换到新数据。"
    st.rerun()


def _refused(exc: Exception) -> None:
    if isinstance(exc, target_file.TargetRejected):
        st.error("目标未通过校验，没有保存，数据未作任何改动：")
        st.dataframe(
            exc.problems.select(
                pl.col("file").alias("文件"),
                pl.col("row").alias("行号"),
                pl.col("column").alias("列"),
                pl.col("value").alias("原值"),
                pl.col("rule").alias("规则"),
                pl.col("message").alias("问题及处理办法"),
            ),
            hide_index=True,
            width="stretch",
            key=f"{K}_problems",
        )
    elif isinstance(exc, LoadFailed):
        st.error(f"保存失败，当前数据未受影响：{md(exc)}")
    else:  # LoadBusy, UploadError (the live build changed meanwhile)
        st.error(md(exc))


# ---------------------------------------------------------------- set one

st.subheader("设定或修改目标")
with st.form(f"{K}_set"):
    c1, c2, c3 = st.columns([1, 2, 2])
    year = c1.number_input(
        "年度", min_value=2000, max_value=2100, value=as_of.year, step=1, key=f"{K}_year"
    )
    place = c2.selectbox("范围", list(places), format_func=places.__getitem__, key=f"{K}_place")
    indicator = c3.selectbox(
        "指标", list(names), format_func=names.__getitem__, key=f"{K}_indicator"
    )
    c4, c5 = st.columns([1, 3])
    value = c4.text_input("目标值", placeholder="如 95% 或 30", key=f"{K}_value")
    note = c5.text_input("说明（可不填）", placeholder="如 县委常委会确定", key=f"{K}_note")
    pressed = st.form_submit_button("校验并保存", type="primary")
if pressed:
    if not value.strip():
        st.warning("请填写目标值，如 95%（比例）或 30（个数）。")
    else:
        target = target_file.Target(
            int(year), None if place == COUNTY else place, indicator, value.strip(), note.strip()
        )
        try:
            with st.spinner("正在校验并生成新的数据版本……"):
                loaded = target_file.set_target(pointer, target, me.name)
        except (
            target_file.TargetRejected,
            LoadBusy,
            LoadFailed,
            staging.UploadError,
        ) as exc:
            _refused(exc)
        except Exception as exc:  # a disk failing: a message and an incident, no trace
            errors.unexpected(exc, "targets:set", me.name)
        else:
            _saved(
                f"已保存：{places[place]}{int(year)}年{names[indicator]}目标{value.strip()}",
                loaded.run_id,
            )

with st.expander("可以设定目标的指标及口径"):
    st.dataframe(
        pl.DataFrame(
            {
                "指标": [i.label for i in aims],
                "目标值写法": [
                    "比例，如 95% 或 0.95" if i.is_rate else f"数字，单位{i.unit}" for i in aims
                ],
                "范围": ["全县、乡镇（街道）" if i.township_target else "只设全县" for i in aims],
                "乡镇未设时": [
                    "沿用全县目标" if i.township_inherits and i.township_target else "—"
                    for i in aims
                ],
                "默认目标": [
                    f"{i.written(i.default_target, as_set=True)}（{i.default_basis}）"
                    if i.default_target is not None
                    else "—"
                    for i in aims
                ],
                "口径": [i.note for i in aims],
            }
        ),
        hide_index=True,
        width="stretch",
        key=f"{K}_catalogue",
    )

# ---------------------------------------------------------------- remove one

if not current.is_empty():
    st.subheader("删除目标")
    keys = [(r["year"], r["township_code"], r["indicator"]) for r in current.iter_rows(named=True)]
    shown = {
        k: f"{r['year']}年 · {r['place_name']} · {r['label']} {r['target_text']}"
        for k, r in zip(keys, current.iter_rows(named=True), strict=True)
    }
    with st.form(f"{K}_remove"):
        gone = st.selectbox(
            "要删除的目标", list(range(len(keys))), format_func=lambda i: shown[keys[i]]
        )
        sure = st.checkbox("确认删除", key=f"{K}_sure")
        drop = st.form_submit_button("删除")
    if drop:
        if not sure:
            st.warning("请勾选“确认删除”。")
        else:
            try:
                with st.spinner("正在生成新的数据版本……"):
                    loaded = target_file.remove_target(pointer, keys[gone], me.name)
            except (
                target_file.TargetRejected,
                LoadBusy,
                LoadFailed,
                staging.UploadError,
            ) as exc:
                _refused(exc)
            except Exception as exc:
                errors.unexpected(exc, "targets:remove", me.name)
            else:
                _saved(f"已删除：{shown[keys[gone]]}", loaded.run_id)
