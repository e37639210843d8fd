"""Does an integrator's provider answer as the service's contract says? :mod:`ngsp_sim.conformance.cases`
(what is sent), :mod:`ngsp_sim.conformance.runner` (what is expected), :mod:`ngsp_sim.conformance.report`
(the summary, JUnit and HTML). The command is ``ngsp-sim conformance`` (:mod:`ngsp_sim.cli.conformance`)."""
