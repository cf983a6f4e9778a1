"""Meeting reports from the warehouse: content as sentences, tables and charts; Word, PowerPoint,
Excel and Markdown writers. No Streamlit here: the CLI and the 报告 page both call reports.build."""
