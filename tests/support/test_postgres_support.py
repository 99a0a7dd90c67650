"""The test-owned PostgreSQL server works (other tests build on it)."""


def test_the_server_runs_and_makes_databases(postgres):
    name = postgres.create_database()
    assert postgres.psql("SELECT current_database()", dbname=name) == name
    assert str(postgres.socket_dir) in postgres.dsn(name)
