"""教育政策问答助手: answers questions about a library of policy documents from their parsed clauses, with citations."""
