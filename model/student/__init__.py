"""Architecture, data and metrics of vibed's distilled student model (see model/train_student.py)."""
