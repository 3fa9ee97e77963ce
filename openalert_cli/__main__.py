from openalert_cli.cli import main

raise SystemExit(main())
