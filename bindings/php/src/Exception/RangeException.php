<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** A value outside what the operation can represent (OREG_ERR_RANGE). */
class RangeException extends OnderwijsregioException
{
}
