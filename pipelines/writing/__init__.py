"""The writing assistant: scripts, openings and upload text from a local GGUF model (llama-cpp-python)
or an OpenAI-compatible endpoint the user runs. See writer.py (what is written) and chat.py (backends)."""
