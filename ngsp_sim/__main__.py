from ngsp_sim.cli import main

raise SystemExit(main())
