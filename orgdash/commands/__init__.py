"""Sub-commands that live beside their feature (report, sql, ...): each module adds itself to
orgdash.cli.app with @app.command(); cli.py imports every module of this package."""
