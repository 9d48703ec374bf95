<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** The callback nonce was accepted before (OREG_ERR_REPLAYED): the signature is genuine and the first delivery was processed, so answer 2xx and do nothing. */
class ReplayException extends SignatureException
{
}
