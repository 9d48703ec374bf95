<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** The callback timestamp lies outside the tolerance (OREG_ERR_TOO_OLD, OREG_ERR_TOO_NEW; see isTooOld()). */
class TimestampException extends SignatureException
{
    public function isTooOld(): bool
    {
        return $this->statusName === 'OREG_ERR_TOO_OLD';
    }
}
