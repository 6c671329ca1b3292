"""How many gradient transforms (grad, vjp, jvp, jacrev...) are running around the current call. Inside one,
inner transforms keep their graph (create_graph) so the outer one can differentiate through them."""
grad_level = [0]
# How many of them are reverse-mode (grad, vjp, jacrev, hessian): torch refuses saved tensor hooks
# (non-reentrant checkpoint) inside those.
reverse_level = [0]
