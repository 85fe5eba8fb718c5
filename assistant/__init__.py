"""西青区教育政策问答助手: answers questions about a policy from its parsed clauses, with citations."""
