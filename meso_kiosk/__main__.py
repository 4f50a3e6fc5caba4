import sys

from meso_kiosk.cli import main  # absolute: also the entry script of the PyInstaller bundle

sys.exit(main())
