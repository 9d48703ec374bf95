<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** A callback lacks an x-mutationengine-* header, or one is not in its format (OREG_ERR_HEADER_MISSING, OREG_ERR_HEADER_MALFORMED). */
class HeaderException extends SignatureException
{
}
