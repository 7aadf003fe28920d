"""The studio's model: persona projects, assets, timelines, jobs and the model store.

Plain Python + pydantic. Never imports Qt, and never imports torch at import time.
"""
