"""Documents generated from the models and the registry, never written by hand: the OpenAPI
documents (:mod:`~ngsp_sim.contracts.openapi`), one valid example request per built-in operation
(:mod:`~ngsp_sim.contracts.examples`) and the Postman collection built from them
(:mod:`~ngsp_sim.contracts.postman`). The hub serves them, conformance and the contract tests start
from them."""
