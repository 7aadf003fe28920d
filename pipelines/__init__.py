"""Model-backed pipelines: one readable module per capability.

Each pipeline class has `load(device)`, `run(request, ctx) -> result`, `unload()` with typed
request/result dataclasses. Pipelines import studio.core (types, TaskContext, ModelStore) only;
never Qt, never studio.gui. Heavy libraries (torch, diffusers, onnxruntime) are imported inside
functions so `import pipelines` stays fast.
"""
