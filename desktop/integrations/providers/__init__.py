"""AI model providers for Content Studio: any OpenAI-compatible endpoint (OpenAI, Azure,
Ollama, LM Studio, llama.cpp, vLLM) behind one interface, local-server discovery on
loopback only, and API keys in the OS keyring."""
