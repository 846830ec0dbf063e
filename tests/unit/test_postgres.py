"""PostgreSQL specifics: least-privilege coder roles and masked passwords."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PG, Cli


def test_password_never_printed(tmp_path):
    cli = Cli("postgresql+psycopg://anne:hemmeligt-kodeord@127.0.0.1:1/trivsel")
    result = cli("status")
    assert result.exit_code != 0
    assert "hemmeligt-kodeord" not in result.output
    assert "***" in result.stderr


@pytest.mark.postgres
def test_coder_role_with_table_rights_only(pg_url, tmp_path, interview_file):
    import psycopg

    owner = Cli(pg_url)
    assert owner("init").exit_code == 0
    assert owner("import", str(interview_file)).exit_code == 0
    db = pg_url.rsplit("/", 1)[1]
    role = f"koder_{db[-8:]}"
    admin = TEST_PG.replace("+psycopg", "").rsplit("/", 1)[0] + f"/{db}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
        conn.execute(f'GRANT CONNECT ON DATABASE "{db}" TO "{role}"')
        conn.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        conn.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
        conn.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    try:
        coder_url = pg_url.replace("://postgres@", f"://{role}@")
        coder = Cli(coder_url)
        result = coder("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T1", coder="anne")
        assert result.exit_code == 0, result.stderr
        assert coder("sources", "done", "-s", "holstebro-interview-01", coder="anne").exit_code == 0
        assert coder.json("status")["codings"] == 1
        # but the role cannot change the schema
        with psycopg.connect(coder_url.replace("+psycopg", ""), autocommit=True) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("CREATE TABLE boom (id int)")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'REASSIGN OWNED BY "{role}" TO postgres')
            conn.execute(f'DROP OWNED BY "{role}"')
        with psycopg.connect(TEST_PG.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
