"""How many gradient transforms (grad, vjp, jvp, jacrev...) are running around the current call. Inside one,
inner transforms keep their graph (create_graph) so the outer one can differentiate through them."""
grad_level = [0]
