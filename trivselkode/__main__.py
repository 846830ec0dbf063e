from trivselkode.cli.main import run

run()
