<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** The call's overall deadline ran out before an attempt succeeded (OREG_ERR_DEADLINE). */
class DeadlineException extends TransportException
{
}
