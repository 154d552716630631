"""The code train.py, retrain.py, flywheel.py and loop_turns.py share; the scripts are its entry points.

Modules: log (progress lines, command lines), digests (SHA-256), versions (a model version's folder),
losses (triplet losses), training (Adam with cosine decay, seeding, running means), samplers (P x K batches,
replay triplets), finetune (fine-tuning on explicit triplets), recall (Recall@1 and MAP@R by class group),
records (hard-negatives records to triplets), parity (the parity reference JSON), service (driving
`hardneg.jar serve` from Python).
"""
