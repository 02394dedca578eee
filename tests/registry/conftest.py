"""Fixtures for the import tests: the app's vault and registry files written in tmp_path."""

import pytest
import synthetic


@pytest.fixture
def vault(app):
    return app.extensions["marketplace.vault"]


@pytest.fixture
def write(tmp_path):
    """write(rows, name=..., headers=..., encoding=...) -> path; rows are dicts by header or lists."""

    def write(rows, name="registry.csv", headers=None, encoding="utf-8"):
        headers = list(headers or (rows[0].keys() if rows and isinstance(rows[0], dict) else synthetic.HEADERS))
        data = [[row.get(h, "") for h in headers] if isinstance(row, dict) else row for row in rows]
        path = tmp_path / name
        if name.endswith(".xlsx"):
            synthetic.write_xlsx(path, headers, data)
        else:
            synthetic.write_csv(path, headers, data, encoding=encoding)
        return path

    return write
