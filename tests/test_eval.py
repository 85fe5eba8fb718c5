from eval.score import judge, load_gold, summarise


def test_gold_set_accuracy(assistant, tree):
    items = load_gold()
    assert len({item.id for item in items}) == len(items)
    verdicts = [judge(item, assistant.ask(item.question, list(item.history)).to_dict(), tree.responsible_units)
                for item in items]
    summary = summarise(verdicts)
    failures = [v.item.id for v in verdicts if not v.correct]
    assert summary["overall"] >= 0.95, failures
    assert summary["refusal_recall"] == 1.0
    assert summary["ungrounded_answers"] == 0


def test_scorer_catches_wrong_and_ungrounded_answers(tree):
    item = next(item for item in load_gold() if item.id == "ru-02")
    wrong = {"answer": "由区财政局负责，目标95%", "refused": False,
             "citations": [{"id": "四（八）", "section": "", "text": "（责任单位：区教育局、区残联）"}]}
    verdict = judge(item, wrong, tree.responsible_units)
    assert not verdict.correct and verdict.ungrounded == ["95", "区财政局"]
    refused = judge(item, {"answer": "不知道", "refused": True, "citations": []}, tree.responsible_units)
    assert not refused.correct
