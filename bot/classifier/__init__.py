"""Topic classifier: features, model, training, registry of versions, CLI.

``ModelRegistry(services).active()`` is the model the rest of the code uses (``version``,
``labels``, ``predict_proba``, ``predict``, ``explain``, ``card``);
``apply.classify_documents`` puts topics on stored documents.
"""
