<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** An input exceeds a limit (OREG_ERR_LIMIT): size, nesting, a pattern that backtracks past its limit, maxRequestBytes or maxResponseBytes. */
class LimitException extends OnderwijsregioException
{
}
