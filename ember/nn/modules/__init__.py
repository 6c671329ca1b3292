"""All nn layers, one module per family, re-exported as ember.nn.<Name>."""
from .module import Module  # noqa: F401
from .container import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .adaptive_max_pool import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .rms_norm import *  # noqa: F401,F403
from .embedding_bag import *  # noqa: F401,F403
from .transformer import (  # noqa: F401
    Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
)
from .fold import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .channelshuffle import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .adaptive import *  # noqa: F401,F403
from .pooling_more import *  # noqa: F401,F403
from .activation_more import *  # noqa: F401,F403
from .loss_more import *  # noqa: F401,F403
from .normalization_more import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
