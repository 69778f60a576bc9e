import sys

from skmixup.cli import main

sys.exit(main())
