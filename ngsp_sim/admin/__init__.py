"""The operator's plane: the admin API under ``/api/v1`` (:mod:`ngsp_sim.admin.api`, its handlers in
``handlers``, ``exchange`` and ``scenarios``) and the dashboard's routes under ``/ui`` (``ui``).

It depends on the hub (the running hub under ``HUB``, caller identification, error rendering) and the
hub never on it: :func:`ngsp_sim.app.create_app` adds this plane to the data plane.
"""
