"""Start Signet Arcade: `python run.py --help` lists every flag."""
from signet_arcade.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
