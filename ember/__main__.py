"""python -m ember run script.py [args...]"""
import sys

from ._run import main

sys.exit(main())
