"""The resumable training loop and its parts: optimisers and schedules, the loss, evaluation, CUDA
graphs, several runs on shared batches, trained weights, and looking inside a trained model."""
